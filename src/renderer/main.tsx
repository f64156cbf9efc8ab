import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, NoBridge } from './App';
import { displayFromLocation, findBridge } from './bridge';
import { textsFor } from './i18n';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const api = findBridge();
root.render(
  <StrictMode>
    {api ? (
      <App api={api} display={displayFromLocation(window.location.search)} />
    ) : (
      <NoBridge texts={textsFor(navigator.language)} />
    )}
  </StrictMode>,
);
