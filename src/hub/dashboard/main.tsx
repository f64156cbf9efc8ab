import { createRoot } from 'react-dom/client';
import '../../renderer/styles.css';
import './dashboard.css';
import { App } from './App';

createRoot(document.getElementById('root') as HTMLElement).render(<App />);
